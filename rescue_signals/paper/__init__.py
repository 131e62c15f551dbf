"""The paper trail: the training records (:mod:`.records`, each change held in the hash chain of :mod:`.chain`),
the reports made from them (:mod:`.reports`: CSV, HTML and PDF signed with the site's key of :mod:`.sitekey`, or
xAPI statements, :mod:`.xapi`) with their printed pages (:mod:`.pages`), and the printed helmet label and pocket
card (:mod:`.printed`).

Imports run one way: ``reports`` uses ``records``, ``chain``, ``sitekey``, ``pages`` and ``xapi``; ``records`` uses
``chain``; ``pages`` uses ``printed``; ``printed`` uses only the codebook. Nothing here imports the app or the
commands.
"""
