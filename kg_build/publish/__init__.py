"""Publishing a build all or nothing: its files and its store together, or none of them.

A build holds a lock on every folder it writes to, writes each file under a staging folder
beside its target and loads a new store *generation* beside the old one. Only when every step
succeeded does it commit: it writes a journal naming what to put in place (atomically), then
switches the store's link to the new generation (one rename), renames the files into place,
and removes the journal. Readers open the store through its link and pin the generation they
opened, so they see the previous complete build or the new one, never a mix, and no build
deletes a generation in use. A build killed after the journal was written is completed by the
next one that finds the journal (roll forward); one killed before leaves staging folders and a
half-loaded generation, which the next build removes. Only the generation the link names and
those still pinned survive a build, so the store does not grow across rebuilds.

Layout for ``--store out/store``: ``out/store`` is a symbolic link to
``.store.generations/<id>`` (relative, so the folder can move), each generation has a pin file
``<id>.lock`` beside it, and ``out/.kg-build.lock`` names the build that holds the folder.

``publication`` stages a build's outputs and commits them; ``journal`` writes, replays and
rolls forward the commit journal; ``generations`` and ``readers`` are the store's side;
``locks`` holds the folder and staging locks, ``files`` the durable writes.
"""
