"""One screen per file: dataset, attack, mitigations, results, and the help screen."""
