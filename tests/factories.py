"""factory_boy factories for the domain. They write rows directly: use them to arrange a test, and
call the services for the change under test."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from councils.federation.models import (
    Affiliation,
    Constituency,
    Council,
    Faction,
    Member,
    Officer,
    Organization,
    RecallPetition,
    Seat,
    SeatAllocation,
    Signature,
    Term,
)

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Federation {n}")
    slug = factory.Sequence(lambda n: f"federation-{n}")


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Officer.Role.ORGANIZER
    appointed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))


class FactionFactory(DjangoModelFactory):
    class Meta:
        model = Faction

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Faction {n}")
    short_name = factory.LazyAttribute(lambda f: f.name[:24])
    colour = factory.Sequence(lambda n: f"#{(n * 2654435761) % 0xFFFFFF:06x}")
    position = factory.Sequence(int)


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Council

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    seat_rule = Council.SeatRule.RATIO
    members_per_seat = 10
    minimum_seats = 1
    recall_threshold = Decimal("0.5")
    petition_days = 30
    term_days = 365


class ConstituencyFactory(DjangoModelFactory):
    class Meta:
        model = Constituency

    council = factory.SubFactory(CouncilFactory)
    organization = factory.SelfAttribute("council.organization")
    name = factory.Sequence(lambda n: f"Works {n}")
    slug = factory.Sequence(lambda n: f"works-{n}")
    section = "workers"


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    constituency = factory.SubFactory(ConstituencyFactory)
    organization = factory.SelfAttribute("constituency.organization")
    user = factory.SubFactory(UserFactory)
    name = factory.Faker("name")
    joined_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=400))
    left_at = None
    left_reason = factory.LazyAttribute(lambda m: Member.LeftReason.LEFT if m.left_at else "")


class SeatAllocationFactory(DjangoModelFactory):
    class Meta:
        model = SeatAllocation

    constituency = factory.SubFactory(ConstituencyFactory)
    council = factory.SelfAttribute("constituency.council")
    seats = 1
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=300))


class SeatFactory(DjangoModelFactory):
    """A deputy's seat for a constituency: the holder is a member of it. ``faction`` (default none)
    becomes the seat's first affiliation, and the seat gets a first term of a year."""

    class Meta:
        model = Seat

    constituency = factory.SubFactory(ConstituencyFactory)
    council = factory.SelfAttribute("constituency.council")
    organization = factory.SelfAttribute("council.organization")
    holder = factory.SubFactory(MemberFactory, constituency=factory.SelfAttribute("..constituency"))
    section = factory.LazyAttribute(lambda s: s.constituency.section if s.constituency else "")
    slot = factory.Sequence(lambda n: n + 1)
    start = factory.LazyFunction(lambda: timezone.now() - timedelta(days=200))

    @factory.post_generation
    def faction(seat, create, extracted, **kwargs):
        if not create:
            return
        Affiliation.objects.create(
            seat=seat,
            faction=extracted,
            council=seat.council,
            organization=seat.organization,
            start=seat.start,
            end=seat.end,
        )
        Term.objects.create(seat=seat, start=seat.start, ends=seat.start + timedelta(days=365))


class PetitionFactory(DjangoModelFactory):
    class Meta:
        model = RecallPetition

    seat = factory.SubFactory(SeatFactory)
    organization = factory.SelfAttribute("seat.organization")
    constituency = factory.SelfAttribute("seat.constituency")
    opened_by = factory.SubFactory(MemberFactory, constituency=factory.SelfAttribute("..constituency"))
    required = 2
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=29))


class SignatureFactory(DjangoModelFactory):
    class Meta:
        model = Signature

    petition = factory.SubFactory(PetitionFactory)
    member = factory.SubFactory(MemberFactory, constituency=factory.SelfAttribute("..petition.constituency"))
    signed_at = factory.LazyFunction(timezone.now)
