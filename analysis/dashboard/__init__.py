"""The teaching dashboard: a browser view of one organisation's run, and a tabletop mode.

Modules, one job each:

- ``levers``: which parameters a room may set, with controls derived from the parameter specs;
- ``catalog``: the shipped scenarios a session can choose;
- ``feed``: the narrated event feed;
- ``live``: one run advancing in the browser (the model, its policy changes, its tables);
- ``session``: free play (one live run per browser session);
- ``pacing``: play's pace (each step drawn on the page before the next, so Pause is read at once);
- ``tabletop``: rounds, the room's decisions, the unchanged-policy counterfactual and the debrief;
- ``exercise``: a tabletop exercise played by people (seats, join codes, rounds, three paths);
- ``injects``: news cards (a scenario's timeline, the shipped list a facilitator fires);
- ``after_action``: the exercise's offline, printable after-action report;
- ``offices``: the table of offices (key holders, documents out, warnings, dismissals);
- ``headline``: the metrics shown, their labels, readouts and which way is good news;
- ``charts``, ``live_panels``, ``office_view``, ``tables``: figures, chart data and HTML from
  DataFrames (they never import ``sim``);
- ``app``, ``controls``, ``tabletop_view``, ``exercise_view``, ``lever_slider``, ``plotly_view``:
  the Solara user interface; ``notebook``: the live view in a Jupyter cell;
- ``server``: starting the web server (``docsec dashboard``).

Only the Solara user interface modules and ``server`` need the ``dashboard`` extra (Solara).
"""
