import factory
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType

from accounts.models import CensusRecord, Residence, ResidentClaim, User
from accounts.national_id import id_hash
from participation.models import Community, StrategicIssue, Vote

PASSWORD = "a-long-test-password-2569"


def national_id(serial: int) -> str:
    """A valid 13-digit national ID for tests."""
    digits = f"11017{serial:07d}"
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits))
    return digits + str((11 - total % 11) % 10)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"community-{n}")
    name_th = factory.Sequence(lambda n: f"ชุมชนทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test community {n}")


class StrategicIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicIssue

    slug = factory.Sequence(lambda n: f"issue-{n}")
    title_th = factory.Sequence(lambda n: f"ประเด็นยุทธศาสตร์ {n}")
    title_en = factory.Sequence(lambda n: f"Strategic issue {n}")
    description_th = "คำอธิบาย"
    description_en = "Description"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def confirmed_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class CitizenFactory(UserFactory):
    residence = Residence.CITIZEN
    residence_community = factory.SubFactory(CommunityFactory)


class ResidentFactory(UserFactory):
    residence = Residence.RESIDENT
    residence_community = factory.SubFactory(CommunityFactory)


class CensusRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CensusRecord
        exclude = ["national_id"]

    national_id = factory.Sequence(national_id)
    id_hash = factory.LazyAttribute(lambda o: id_hash(o.national_id))
    house_code = factory.Sequence(lambda n: f"H-{n:05d}")
    registered_on = "2015-06-01"
    birth_year = 1980
    community = factory.SubFactory(CommunityFactory)


class ResidentClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentClaim

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    basis = ResidentClaim.Basis.WORKS
    explanation = "ทำงานที่ตลาดหนองมน"


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    user = factory.SubFactory(UserFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.LazyAttribute(lambda o: o.target.pk)
    value = Vote.Value.UP

    class Params:
        target = factory.SubFactory(StrategicIssueFactory)


# --- Debates ------------------------------------------------------------------------------

from debates.models import Debate  # noqa: E402


class DebateFactory(factory.django.DjangoModelFactory):
    """A debate written straight to the table; pass tags=["a", "b"] to tag it."""

    class Meta:
        model = Debate
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Debate number {n}")
    description = "<p>ควรมีทางเดินริมคลองไหม</p>"
    author = factory.SubFactory(UserFactory)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(list(extracted))


# --- Comments, flags, follows, notifications ---------------------------------------------------

from participation.models import Comment, Flag, Follow, Notification  # noqa: E402


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment written straight to the table (counters untouched); pass parent= for a reply."""

    class Meta:
        model = Comment

    class Params:
        # A reply is on its parent's page; a new debate only when nothing says where.
        commentable = factory.LazyAttribute(
            lambda o: o.parent.commentable if o.parent else DebateFactory()
        )

    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.commentable))
    object_id = factory.LazyAttribute(lambda o: o.commentable.pk)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"ความเห็นที่ {n}")
    parent = None
    root = factory.LazyAttribute(lambda o: (o.parent.root or o.parent) if o.parent else None)
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    class Params:
        target = factory.SubFactory(DebateFactory)

    user = factory.SubFactory(UserFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.LazyAttribute(lambda o: o.target.pk)


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    class Params:
        target = factory.SubFactory(DebateFactory)

    user = factory.SubFactory(UserFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.target))
    object_id = factory.LazyAttribute(lambda o: o.target.pk)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    comment = factory.SubFactory(CommentFactory)
    kind = Notification.Kind.COMMENT


# --- Proposals ----------------------------------------------------------------------------

from django.utils import timezone  # noqa: E402

from proposals.models import Proposal, Support  # noqa: E402


class ProposalFactory(factory.django.DjangoModelFactory):
    """A published proposal written straight to the table; pass tags=["a"] to tag it.

    Pass status="draft" (with reference=None, published_at=None) for a draft.
    """

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"RK-2500-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Proposal number {n}")
    summary = "ทางเดินริมคลองสำหรับทุกคน"
    description = "<p>ควรมีทางเดินริมคลอง</p>"
    author = factory.SubFactory(UserFactory)
    status = Proposal.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(list(extracted))


class SupportFactory(factory.django.DjangoModelFactory):
    """A support written straight to the table (the proposal's counter untouched)."""

    class Meta:
        model = Support

    user = factory.SubFactory(CitizenFactory)
    proposal = factory.SubFactory(ProposalFactory)
    voter_class = "affected_citizen"
    community = factory.LazyAttribute(lambda o: o.user.residence_community)
