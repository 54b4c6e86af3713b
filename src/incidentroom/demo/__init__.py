"""Loading a scenario (organisations, people, estate, incidents) into every app.

The one place above all the apps: :mod:`incidentroom.scenario` reaches each of them, so the
command that runs it lives here rather than in ``core`` (which imports no app).
"""
