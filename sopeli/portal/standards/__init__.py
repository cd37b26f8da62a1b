"""Open data in the standards donors use: 360Giving 1.4.3 (JSON package and flat CSV) and IATI 2.03.

- ``grants``: the one query of *published awarded grants* both formats read (funded applications
  whose call's results are published), streamed in chunks, with the small tables it refers to
  (LAGs, calls, measures, villages) loaded once up front.
- ``giving360``: 360Giving records, identifiers, the JSON package and CSV writers (generators).
- ``iati``: the LAG programme as an ``iati-activities`` file, grants as transactions (generator).
- ``views`` / ``urls``: per LAG ``/<lang>/<lag>/data/360giving.json|.csv`` and ``…/data/iati.xml``;
  network-wide ``/<lang>/data/360giving.json|.csv`` and ``/<lang>/data/iati.xml``. They sit inside
  ``i18n_patterns`` like every other public address: titles come in the language of the path, and
  ``/data/360giving.json`` without a language redirects to the visitor's language like any page.

Identifiers (``SOPELI_360GIVING_PREFIX``, default ``360G-sopeli`` — a placeholder: register a real
prefix with 360Giving before publishing to the 360Giving registry):

- grant: ``<prefix>-<lag slug>-<call number>-<application number>``, e.g.
  ``360G-sopeli-kazbegi-2026_1-007`` (slashes and spaces become ``_`` as the standard advises);
- LAG (funding organisation, IATI reporting org): its registered org-id if the setting
  ``SOPELI_LAG_ORG_IDS`` maps its slug to one (e.g. an org-id.guide list code plus the Public
  Registry number), else ``<prefix>-lag-<slug>`` (the standard's rule for organisations without a
  registration number known to the publisher);
- recipient organisation: ``<prefix>-recipient-<hash>`` (stable per applicant account and name, so
  one organisation's grants link up; no registration number is stored, the hash reveals nothing);
- recipient individual: ``<grant id>-individual`` (per grant: people are not tracked across grants).

Personal data: recipients go through ``sopeli.core.privacy.public_grant_recipient`` (see there for
the decision on natural persons' names); no account, ID number, phone, address or e-mail is read.
"""
