"""Public request and response bodies defined once: a service answers with them and the gateway documents and
checks the same models, so neither side keeps a hand-made copy (issue 19). One module per service."""
