"""The teaching dashboard: a browser view of one organisation's run, and a tabletop mode.

Modules, one job each:

- ``levers``: which parameters a room may set, with controls derived from the parameter specs;
- ``catalog``: the shipped scenarios a session can choose;
- ``feed``: the narrated event feed;
- ``live``: one run advancing in the browser (the model, its policy changes, its tables);
- ``session``: free play (one live run per browser session);
- ``pacing``: play's pace (each step drawn on the page before the next, so Pause is read at once);
- ``tabletop``: rounds, the room's decisions, the unchanged-policy counterfactual and the debrief;
- ``offices``: the table of offices (key holders, documents out, warnings, dismissals);
- ``charts`` and ``office_view``: figures and HTML from DataFrames (they never import ``sim``);
- ``app``, ``controls``, ``tabletop_view``: the Solara user interface;
- ``server``: starting the web server (``docsec dashboard``).

Only ``app``, ``controls``, ``tabletop_view`` and ``server`` need the ``dashboard`` extra (Solara).
"""
