"""unspin: takes machine-spun text apart (a binding of the C++ engine).

    import unspin
    model = unspin.Model.open()          # $UNSPIN_MODEL, else found as the CLI finds it
    result = model.check("Council members stated they required more time.")
    result["verdict"], result["spun_probability"], result["spans"]   # `unspin check --json`
    model.restore(text)                  # the text with its spun spans restored

    index = unspin.Index.build([("doc-1", text1), ("doc-2", text2)], "archive-idx", model)
    index = unspin.Index.open("archive-idx", model)   # or a directory of index shards
    index.find(spun_text, k=10)          # `unspin find --json`'s "matches"

    unspin.scan(["crawl.warc.gz"], "results.jsonl", model=model)  # `unspin scan`

`python3 -m unspin.dask scan SHARDS... --out DIR` spreads a scan over a Dask
cluster (docs/python.md). Results are plain dicts and lists, exactly the
CLI's JSON; unspin.results describes them (TypedDicts). The GIL is released
while the engine works, so threads check in parallel.
"""

from unspin._unspin import FormatError, Index, Model, scan

__all__ = ["FormatError", "Index", "Model", "scan"]
