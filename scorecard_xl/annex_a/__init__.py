"""Ofsted Annex A lists in, the monthly export out (`scorecard-xl annex-a`).

The pipeline, one module each:

- lists.py / lists.yaml ... the lists and columns read, as data
- reading.py ............. one workbook's lists, checked cell by cell
- cellmarks.py ........... what calamine does not say: formulas and Excel error cells, from the XML
- teams.py ............... Allocated Team (free text) to the template's units
- stacking.py ............ several files as one history: deduplicated, newest file wins
- rules.py ............... the named rules: every activity measure and indicator figure, and their notes
- build.py ............... the rules the template names, as the export's rows
- export.py .............. written as a new export, or merged into an existing one

The rule catalogue, each rule once as data (its name, what it gives, the list it counts, its
months and settings), is engine/annex_a_catalogue.py: the template checks its `annex_a:` keys
against it, and rules.py attaches each counting function to its entry by name (a mismatch fails
at import). The engine never imports this package.
"""
