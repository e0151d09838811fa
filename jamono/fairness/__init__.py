"""Fair shares between tenants: plan quotas, daily budgets, and the per-tenant answer rate that
keeps one tenant's burst from delaying another's answers (DESIGN.md, invariant 8)."""
