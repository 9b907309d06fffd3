"""Back office of newsletters (/beheer/nieuwsbrieven/): the list, composing from blocks,
preview, test, schedule or send, delivery figures; and the segments they go to.

Every page declares its action; newsletters and segments are looked up in what the policy
scopes to the actor (404 outside it, 403 without the action). Every write calls
`newsletters.services`; a refusal is shown with status 400 and nothing written.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.accounts.policy import Action
from weerbaar.alerts.forms_staff import target_options
from weerbaar.alerts.views_staff import delivery_figures
from weerbaar.network.forms_staff import StaffForm
from weerbaar.network.views_staff import Crumbs, StaffActionView, StaffFormView, StaffView
from weerbaar.newsletters import queries, rendering, segments
from weerbaar.newsletters.blocks import (
    BlockType,
    UnknownBlockTypeError,
    block_types,
    get_block_type,
)
from weerbaar.newsletters.forms_staff import NewsletterForm, ScheduleForm, SegmentForm, TestSendForm
from weerbaar.newsletters.models import Newsletter, NewsletterBlock, NewsletterStatus, Segment
from weerbaar.newsletters.services import newsletters as newsletter_services
from weerbaar.newsletters.services import segments as segment_services


def list_crumbs() -> Crumbs:
    return [(reverse("newsletters_staff:list"), _("Newsletters"))]


def newsletter_crumbs(newsletter: Newsletter) -> Crumbs:
    return [
        *list_crumbs(),
        (reverse("newsletters_staff:detail", args=[newsletter.pk]), newsletter.title),
    ]


def segment_crumbs() -> Crumbs:
    return [*list_crumbs(), (reverse("newsletters_staff:segments"), _("Segments"))]


class NewsletterListView(StaffView):
    permission_action = Action.VIEW_NEWSLETTERS
    template_name = "newsletters/staff/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = self.paginate(queries.newsletters_for_staff(self.actor))
        return self.render_page(
            {"page_obj": page, "can_compose": self.can(Action.COMPOSE_NEWSLETTER)}
        )


class NewsletterFormView(StaffFormView):
    """Title, introduction and segment of a new newsletter or a draft."""

    permission_action = Action.COMPOSE_NEWSLETTER
    newsletter: Newsletter | None = None
    submit_label = gettext_lazy("Save and add blocks")
    success_message = gettext_lazy("Saved. Add the blocks of the newsletter below.")

    def load(self) -> None:
        if "pk" in self.kwargs:
            self.newsletter = get_object_or_404(
                queries.newsletters_for_staff(self.actor), pk=self.kwargs["pk"]
            )

    def get_title(self) -> str:
        return _("Change the newsletter") if self.newsletter else _("New newsletter")

    def breadcrumbs(self) -> Crumbs:
        return newsletter_crumbs(self.newsletter) if self.newsletter else list_crumbs()

    def get_form(self, data: Any = None) -> NewsletterForm:
        return NewsletterForm(
            data,
            segments=queries.segments_for_staff(self.actor, Action.COMPOSE_NEWSLETTER),
            newsletter=self.newsletter if data is None else None,
        )

    def perform(self, form: StaffForm) -> Newsletter:
        assert isinstance(form, NewsletterForm)
        if self.newsletter is None:
            return newsletter_services.create_newsletter(self.actor, form.draft())
        return newsletter_services.edit_newsletter(self.actor, self.newsletter, form.draft())

    def success_url(self, obj: Any) -> str:
        return reverse("newsletters_staff:detail", args=[obj.pk])


class NewsletterDetailView(StaffView):
    """The composing page: blocks with their preview, test, schedule, send, figures."""

    permission_action = Action.VIEW_NEWSLETTERS
    template_name = "newsletters/staff/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        newsletter = get_object_or_404(queries.newsletters_for_staff(self.actor), pk=pk)
        return self.render_page(detail_context(self, newsletter))


def detail_context(view: StaffView, newsletter: Newsletter, **forms: Any) -> dict[str, Any]:
    may_compose = view.can(Action.COMPOSE_NEWSLETTER, newsletter)
    is_draft = newsletter.status == NewsletterStatus.DRAFT
    sent = newsletter.status in (NewsletterStatus.SENDING, NewsletterStatus.SENT)
    return {
        "newsletter": newsletter,
        "blocks": rendering.rendered_blocks(newsletter),
        "block_types": block_types(),
        "reach": None if sent else segments.reach_of(segments.target_of(newsletter.segment)),
        "deliveries": delivery_figures(newsletter_services.messages_of(newsletter)),
        "web_url": rendering.web_url(newsletter) if sent else "",
        "may_edit": may_compose and is_draft,
        "may_unschedule": may_compose and newsletter.status == NewsletterStatus.SCHEDULED,
        "may_retry": may_compose and sent,
        "test_form": forms.get("test_form") or TestSendForm(),
        "schedule_form": forms.get("schedule_form") or ScheduleForm(),
        "breadcrumbs": list_crumbs(),
    }


class PreviewView(StaffView):
    """The newsletter as recipients will read it (the web version's layout)."""

    permission_action = Action.VIEW_NEWSLETTERS
    template_name = "newsletters/public/newsletter.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        newsletter = get_object_or_404(queries.newsletters_for_staff(self.actor), pk=pk)
        return self.render_page(
            {
                "newsletter": newsletter,
                "blocks": rendering.rendered_blocks(newsletter),
                "preview": True,
                "breadcrumbs": newsletter_crumbs(newsletter),
            }
        )


class BlockFormView(StaffView):
    """Add a block of one type to a draft, or change one; the form is the block type's."""

    permission_action = Action.COMPOSE_NEWSLETTER
    template_name = "newsletters/staff/block_form.html"
    newsletter: Newsletter
    block: NewsletterBlock | None = None
    block_type: BlockType

    def load(self, pk: int, kind: str | None, block_pk: int | None) -> None:
        self.newsletter = get_object_or_404(queries.newsletters_for_staff(self.actor), pk=pk)
        if block_pk is not None:
            self.block = get_object_or_404(self.newsletter.blocks, pk=block_pk)
            kind = self.block.kind
        try:
            self.block_type = get_block_type(kind or "")
        except UnknownBlockTypeError:
            raise Http404 from None

    def get(
        self, request: HttpRequest, pk: int, kind: str | None = None, block_pk: int | None = None
    ) -> HttpResponse:
        self.load(pk, kind, block_pk)
        stored = self.block.data if self.block is not None else None
        return self.render_form(self.block_type.form(stored=stored))

    def post(
        self, request: HttpRequest, pk: int, kind: str | None = None, block_pk: int | None = None
    ) -> HttpResponse:
        self.load(pk, kind, block_pk)
        form = self.block_type.form(request.POST)
        if form.is_valid():
            data = self.block_type.to_data(form.cleaned_data)
            try:
                if self.block is None:
                    newsletter_services.add_block(
                        self.actor, self.newsletter, self.block_type.key, data
                    )
                else:
                    newsletter_services.change_block(self.actor, self.block, data)
            except ValidationError as error:
                assert isinstance(form, StaffForm)
                form.show_errors(error)
            else:
                messages.success(request, _("The block is saved."))
                return redirect("newsletters_staff:detail", pk=self.newsletter.pk)
        return self.render_form(form, status=400)

    def render_form(self, form: Any, status: int = 200) -> HttpResponse:
        title = (_("Change block: %(type)s") if self.block else _("Add block: %(type)s")) % {
            "type": self.block_type.label
        }
        return self.render_page(
            {
                "form": form,
                "title": title,
                "block_type": self.block_type,
                "cancel_url": reverse("newsletters_staff:detail", args=[self.newsletter.pk]),
                "breadcrumbs": newsletter_crumbs(self.newsletter),
            },
            status=status,
        )


class NewsletterActionView(StaffActionView):
    """A button on the newsletter page."""

    permission_action = Action.COMPOSE_NEWSLETTER
    newsletter: Newsletter

    def load(self) -> None:
        self.newsletter = get_object_or_404(
            queries.newsletters_for_staff(self.actor), pk=self.kwargs["pk"]
        )

    def back_url(self) -> str:
        return reverse("newsletters_staff:detail", args=[self.newsletter.pk])

    def breadcrumbs(self) -> Crumbs:
        return newsletter_crumbs(self.newsletter)


class BlockActionView(NewsletterActionView, ABC):
    block: NewsletterBlock

    def load(self) -> None:
        super().load()
        self.block = get_object_or_404(self.newsletter.blocks, pk=self.kwargs["block_pk"])


class RemoveBlockView(BlockActionView):
    success_message = gettext_lazy("The block is removed.")

    def perform(self) -> None:
        newsletter_services.remove_block(self.actor, self.block)


class MoveBlockUpView(BlockActionView):
    def perform(self) -> None:
        newsletter_services.move_block(self.actor, self.block, -1)


class MoveBlockDownView(BlockActionView):
    def perform(self) -> None:
        newsletter_services.move_block(self.actor, self.block, 1)


class SendView(NewsletterActionView):
    success_message = gettext_lazy("The newsletter is being sent.")

    def perform(self) -> None:
        newsletter_services.send_newsletter(self.actor, self.newsletter)


class UnscheduleView(NewsletterActionView):
    success_message = gettext_lazy("The newsletter is a draft again and will not be sent.")

    def perform(self) -> None:
        newsletter_services.unschedule_newsletter(self.actor, self.newsletter)


class RetryView(NewsletterActionView):
    def perform(self) -> None:
        queued = newsletter_services.retry_failed_deliveries(self.actor, self.newsletter)
        messages.success(
            self.request, _("%(count)s failed messages are being sent again.") % {"count": queued}
        )


class NewsletterFormActionView(StaffView, ABC):
    """A form on the newsletter page (POST only); invalid input or a refusal re-renders
    the page with the form's errors and status 400, nothing written."""

    http_method_names = ["post"]
    permission_action = Action.COMPOSE_NEWSLETTER
    template_name = "newsletters/staff/detail.html"
    form_class: type[TestSendForm] | type[ScheduleForm]
    form_name: str

    @abstractmethod
    def perform(self, newsletter: Newsletter, form: Any) -> str:
        """Call the service with the valid form; return the success message."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        newsletter = get_object_or_404(queries.newsletters_for_staff(self.actor), pk=pk)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                success = self.perform(newsletter, form)
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(request, success)
                return redirect("newsletters_staff:detail", pk=newsletter.pk)
        context = detail_context(self, newsletter, **{self.form_name: form})
        return self.render_page(context, status=400)


class TestSendView(NewsletterFormActionView):
    form_class = TestSendForm
    form_name = "test_form"

    def perform(self, newsletter: Newsletter, form: Any) -> str:
        message = newsletter_services.send_test(self.actor, newsletter, form.address_list())
        addresses = message.deliveries.values_list("address", flat=True)
        return _("A test is on its way to %(addresses)s.") % {"addresses": ", ".join(addresses)}


class ScheduleView(NewsletterFormActionView):
    form_class = ScheduleForm
    form_name = "schedule_form"

    def perform(self, newsletter: Newsletter, form: Any) -> str:
        scheduled = newsletter_services.schedule_newsletter(
            self.actor, newsletter, form.cleaned_data["scheduled_for"]
        )
        assert scheduled.scheduled_for is not None
        return _("The newsletter will be sent on %(moment)s.") % {
            "moment": scheduled.scheduled_for.astimezone().strftime("%d-%m-%Y %H:%M")
        }


# --- segments -------------------------------------------------------------------------------


class SegmentListView(StaffView):
    permission_action = Action.VIEW_NEWSLETTERS
    template_name = "newsletters/staff/segments.html"

    def breadcrumbs(self) -> Crumbs:
        return list_crumbs()

    def get(self, request: HttpRequest) -> HttpResponse:
        # One count per segment: the per-channel reach is on the segment's own page.
        rows = [
            (segment, segments.people_in(segment).count())
            for segment in queries.segments_for_staff(self.actor).order_by("name")
        ]
        return self.render_page({"rows": rows, "can_compose": self.can(Action.COMPOSE_NEWSLETTER)})


class SegmentFormView(StaffView):
    """Create or change a segment. "Show who it reaches" re-renders the form with the number
    of people per channel today; nothing is saved then."""

    permission_action = Action.COMPOSE_NEWSLETTER
    template_name = "newsletters/staff/segment_form.html"
    segment: Segment | None = None

    def load(self, pk: int | None) -> None:
        if pk is not None:
            self.segment = get_object_or_404(
                queries.segments_for_staff(self.actor, Action.COMPOSE_NEWSLETTER), pk=pk
            )

    def breadcrumbs(self) -> Crumbs:
        return segment_crumbs()

    def form(self, data: Any = None) -> SegmentForm:
        options = target_options(
            self.actor,
            area_action=Action.COMPOSE_NEWSLETTER,
            municipality_action=Action.COMPOSE_NEWSLETTER,
        )
        return SegmentForm(data, **options, segment=self.segment if data is None else None)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.load(pk)
        return self.render_form(self.form())

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.load(pk)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        draft = form.draft()
        if "preview" in request.POST:
            target = segments.target_from(
                draft.whole_network,
                [municipality.pk for municipality in draft.municipalities],
                [area.pk for area in draft.areas],
                sectors=draft.sectors,
                roles=draft.roles,
                joined_within=draft.joined_within,
            )
            return self.render_form(form, reach=segments.reach_of(target))
        try:
            segment_services.save_segment(self.actor, self.segment, draft)
        except ValidationError as error:
            form.show_errors(error)
            return self.render_form(form, status=400)
        messages.success(request, _("The segment is saved."))
        return redirect("newsletters_staff:segments")

    def render_form(
        self, form: SegmentForm, *, reach: Any = None, status: int = 200
    ) -> HttpResponse:
        return self.render_page(
            {
                "form": form,
                "segment": self.segment,
                "title": _("Change the segment") if self.segment else _("New segment"),
                "reach": reach,
                "cancel_url": reverse("newsletters_staff:segments"),
            },
            status=status,
        )


class DeleteSegmentView(StaffActionView):
    permission_action = Action.COMPOSE_NEWSLETTER
    success_message = gettext_lazy("The segment is deleted.")
    segment: Segment

    def load(self) -> None:
        self.segment = get_object_or_404(
            queries.segments_for_staff(self.actor, Action.COMPOSE_NEWSLETTER), pk=self.kwargs["pk"]
        )

    def perform(self) -> None:
        segment_services.delete_segment(self.actor, self.segment)

    def back_url(self) -> str:
        return reverse("newsletters_staff:segments")

    def breadcrumbs(self) -> Crumbs:
        return segment_crumbs()
