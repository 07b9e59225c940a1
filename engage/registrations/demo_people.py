"""Demo attendees for the past Engagement Day: most chose their organisation from the list.

So the attendee list, the exports and the "Organisation from list" column have something
to show. Only added to an event with no registrations, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from engage.events.models import Event
from engage.extensions import db
from engage.organisations.services import find_by_name
from engage.registrations.models import AttendeeCategory, Registration, RegistrationStatus

POLICE, STAFF, ACADEMIC, PARTNER = (
    AttendeeCategory.POLICE_OFFICER,
    AttendeeCategory.POLICE_STAFF,
    AttendeeCategory.ACADEMIC,
    AttendeeCategory.PARTNER,
)
# (first, last, organisation, job title, category): a listed name, or what they typed (Other).
PEOPLE = (
    ("Priya", "Shah", "West Yorkshire Police", "Detective Inspector", POLICE),
    ("Tom", "Hughes", "South Wales Police", "Sergeant", POLICE),
    ("Aoife", "Byrne", "Police Service of Northern Ireland", "Analyst", STAFF),
    ("Callum", "Reid", "Police Scotland", "Chief Inspector", POLICE),
    ("Grace", "Okafor", "Metropolitan Police Service", "Evidence Lead", STAFF),
    ("Helen", "Marsh", "College of Policing", "Research Officer", PARTNER),
    ("Dr Sam", "Patel", "University of Leeds", "Lecturer in Criminology", ACADEMIC),
    ("Prof Ruth", "Evans", "Cardiff University", "Professor of Policing", ACADEMIC),
    ("Omar", "Haddad", "University of Edinburgh", "PhD Researcher", ACADEMIC),
    ("Jess", "Lowe", "Northbridge Community Safety Partnership", "Coordinator", PARTNER),
    ("Ben", "Carter", "Victim Support (Northbridge)", "Service Manager", PARTNER),
)


def add_demo_people(event: Event, at: dt.datetime) -> int:
    """Book the demo people on a (past) event that has nobody yet; how many were added."""
    if db.session.scalar(select(Registration.id).where(Registration.event_id == event.id)):
        return 0
    for n, (first, last, organisation, job_title, category) in enumerate(PEOPLE):
        listed = find_by_name(organisation)
        db.session.add(
            Registration(
                event=event,
                status=RegistrationStatus.CONFIRMED,
                email=f"{first.split()[-1].lower()}.{last.lower()}@example.org",
                first_name=first,
                last_name=last,
                organisation=listed.name if listed else organisation,
                organisation_id=listed.id if listed else None,
                job_title=job_title,
                category=category,
                privacy_accepted=True,
                privacy_accepted_at=at,
                created_at=at + dt.timedelta(hours=n),
                confirmed_at=at + dt.timedelta(hours=n),
            )
        )
    return len(PEOPLE)
