from knowledge.sections import Role, actionability, role_of


def test_headings_name_roles_in_english_and_french():
    assert role_of("Meaning", "x") is Role.MEANING
    assert role_of("Impact", "x") is Role.IMPACT
    assert role_of("Diagnostic > 1. État du pod", "x") is Role.DIAGNOSIS
    assert role_of("Remédiation > Déploiement récent → retour arrière", "x") is Role.MITIGATION
    assert role_of("Escalade", "x") is Role.ESCALATION
    assert role_of("Symptômes", "x") is Role.SYMPTOMS
    assert role_of("Prevention", "x") is Role.PREVENTION


def test_subsections_of_diagnosis_and_mitigation_keep_their_parents_role():
    assert role_of("Diagnosis > 2. What is big?", "x") is Role.DIAGNOSIS
    assert role_of("Mitigation > Logs", "x") is Role.MITIGATION
    assert role_of("Rolling back safely > 1. Freeze", "x") is Role.MITIGATION


def test_an_unknown_heading_is_judged_by_its_content():
    commands = "Run these:\n\n```shell\nkubectl get pods\nkubectl describe pod x\n```\n"
    assert role_of("Notes from Bob", commands) is Role.MITIGATION
    assert role_of("Notes from Bob", "Bob wrote this page in 2019.") is Role.OTHER
    assert actionability(commands) > actionability("plain prose, nothing to run")
