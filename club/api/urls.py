from rest_framework.routers import DefaultRouter

from club.api import views

app_name = "club-api"

router = DefaultRouter()
router.register("clubs", views.ClubViewSet)
router.register("club-memberships", views.ClubMembershipViewSet)
router.register("linked-accounts", views.LinkedAccountViewSet)
router.register("weeks", views.WeekViewSet)
router.register("nominations", views.NominationViewSet)
router.register("votes", views.VoteViewSet)
router.register("ratings", views.RatingViewSet)
router.register("listens", views.ListenEventViewSet)
router.register("taste-profiles", views.TasteProfileViewSet)
router.register("follows", views.FollowViewSet)
router.register("compatibilities", views.CompatibilityViewSet)
router.register("recommendations", views.UserRecommendationViewSet)
router.register("users", views.ClubUserViewSet, basename="user")

urlpatterns = router.urls
