from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.views.analysis import (
    DeviationTriageView,
    ImportView,
    KnotListView,
    StatisticsView,
    TriageQueueView,
    TriageUndoView,
)
from api.views.barriers import (
    BarrierViewSet,
    DecisionViewSet,
    EscalationViewSet,
    SteeringGroupViewSet,
)
from api.views.catalogue import (
    AgencyViewSet,
    ForbundViewSet,
    LawViewSet,
    MunicipalityViewSet,
    ProvisionViewSet,
    TermViewSet,
    UnitViewSet,
)
from api.views.deviations import DeviationViewSet
from api.views.federation import FederationAnswerView, FederationNoticeView
from api.views.filing import DraftViewSet, TaggingSuggestView
from api.views.jobs import JobDetailView, JobListView, JobRetryView
from api.views.practices import PracticeViewSet
from api.views.tokens import TokenObtainView, TokenRevokeAllView, TokenRevokeView

router = DefaultRouter()
router.register("deviations", DeviationViewSet, basename="deviation")
router.register("drafts", DraftViewSet, basename="draft")
router.register("barriers", BarrierViewSet, basename="barrier")
router.register("practices", PracticeViewSet, basename="practice")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("steering-groups", SteeringGroupViewSet, basename="steering-group")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
router.register("forbund", ForbundViewSet, basename="forbund")
router.register("laws", LawViewSet, basename="law")
router.register("provisions", ProvisionViewSet, basename="provision")
router.register("terms", TermViewSet, basename="term")
router.register("units", UnitViewSet, basename="unit")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("v1/auth/token/revoke-all/", TokenRevokeAllView.as_view(), name="api-token-revoke-all"),
    path("v1/tagging/suggest/", TaggingSuggestView.as_view(), name="tagging-suggest"),
    path("v1/triage/", TriageQueueView.as_view(), name="triage-queue"),
    path(
        "v1/deviations/<str:reference>/triage/",
        DeviationTriageView.as_view(),
        name="deviation-triage",
    ),
    path("v1/triage-actions/<int:pk>/undo/", TriageUndoView.as_view(), name="triage-undo"),
    path("v1/knots/", KnotListView.as_view(), name="knots"),
    path("v1/statistics/", StatisticsView.as_view(), name="statistics"),
    path("v1/imports/", ImportView.as_view(), name="imports"),
    path("v1/jobs/", JobListView.as_view(), name="job-list"),
    path("v1/jobs/<uuid:key>/", JobDetailView.as_view(), name="job-detail"),
    path("v1/jobs/<uuid:key>/retry/", JobRetryView.as_view(), name="job-retry"),
    path("v1/federation/answer/", FederationAnswerView.as_view(), name="federation-answer"),
    path("v1/federation/notice/", FederationNoticeView.as_view(), name="federation-notice"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
