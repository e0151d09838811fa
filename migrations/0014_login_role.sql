-- A login for web and workers that can only become jamono_app: NOINHERIT (it holds no privilege of
-- its own until it runs SET ROLE jamono_app, which every pooled connection does first) and member
-- of jamono_app only, so neither the owner nor jamono_router (which reads every workspace) is
-- reachable from it. The owner's credentials are then needed only by `jamono migrate` and
-- `jamono keys rotate`. Its password is the operator's: ALTER ROLE jamono_login PASSWORD '…'
-- (or certificate / IAM authentication), then APP_DATABASE_URL=postgresql://jamono_login@…
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jamono_login') THEN
        CREATE ROLE jamono_login LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    EXECUTE format('GRANT jamono_app TO jamono_login');
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO jamono_login', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'cannot create the jamono_login role (create it yourself: LOGIN NOINHERIT, member of jamono_app only)';
END
$$;
