"""Operations: merchandising rules, synonyms, experiments, the live config snapshot and the audit log."""
