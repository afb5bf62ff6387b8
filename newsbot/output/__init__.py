"""Where an article is written: the output directory, its files and its index.

- ``paths``: the layout (``YYYY/MM/DD/{oid}_{aid}.md``, ``.comments.jsonl`` beside it, the
  index's name, temporary files' prefix) and ``inside``, the only way a stored path is used.
- ``index``: the SQLite index (``Index``): its schema and upgrades, every statement on it,
  the read-only view ``read_index``.
- ``store``: ``OutputStore`` (a finished article and its comments written, the index kept in
  step), ``write_atomic``, ``remove_temp_files``.
- ``markdown``: the Markdown file read back (``load_yaml``, ``split_markdown``,
  ``read_front_matter``, ``set_front_matter``, ``FrontMatterError``).
- ``verify``: ``Verifier`` (a file's body against its ``content_hash``, for any template)
  and ``verify_paths`` (files and folders against their index).
- ``reindex``: the index rebuilt from the files (``newsbot reindex``).
- ``hashing``: ``content_hash`` and ``file_hash``, the one definition of each.
- ``safeio``: files newsbot did not make, read and written without trusting them.

Imports run one way: ``paths``, ``hashing``, ``safeio`` ← ``markdown`` ← ``index`` ←
``verify`` ← ``store``, ``reindex``. Nothing is imported here: ``import newsbot.output.hashing``
loads no SQLite or YAML.
"""
