"""What knows no domain: extensions, errors, transactions, paging, audit,
private files, the outbox, i18n, links, labels, limits, validation,
redaction and the request hooks. Imports nothing from the domains."""
