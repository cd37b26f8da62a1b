"""Every write to grants, one module per part of the competition (see ``sopeli/grants/README.md``).

- ``calls``: create and edit draft calls, publish (validate, freeze, announce), amend, close.
- ``applications``: drafts, answers, budget, attachments, submit, withdraw, assisted submission.
- ``checks``: received list, administrative and eligibility check, fix requests.
- ``evaluation``, ``selection``, ``appeals``: owned by the evaluation/selection engineer.

Import the module you need (``from sopeli.grants.services import applications``); this package
re-exports nothing so the modules can be written in parallel.
"""
