"""The portal's own search evaluation set: a fixed fixture of practitioners
(:mod:`.fixture`) and judged queries over it (:mod:`.queries`). The runner is
bench/search_eval.py; bench/README-search-eval.md explains the figures."""
