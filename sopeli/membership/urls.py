from django.urls import path

from sopeli.membership import views

app_name = "membership"
urlpatterns = [
    # public
    path("members/", views.members, name="members"),
    path("members/join/", views.join, name="join"),
    path("members/join/thanks/", views.join_thanks, name="join_thanks"),
    path("bodies/<int:body_id>/", views.body, name="body"),
    # a member's own
    path("my/membership/", views.my_membership, name="my_membership"),
    path("my/membership/<int:member_id>/resign/", views.my_membership_resign, name="my_membership_resign"),
    # staff
    path("manage/members/", views.manage_members, name="manage_members"),
    path("manage/members/<int:member_id>/", views.manage_member, name="manage_member"),
    path("manage/members/<int:member_id>/edit/", views.manage_member_edit, name="manage_member_edit"),
    path("manage/members/<int:member_id>/approve/", views.manage_member_approve, name="manage_member_approve"),
    path("manage/members/<int:member_id>/reject/", views.manage_member_reject, name="manage_member_reject"),
    path("manage/members/<int:member_id>/resign/", views.manage_member_resign, name="manage_member_resign"),
    path("manage/interest-groups/", views.manage_groups, name="manage_groups"),
    path("manage/interest-groups/<int:group_id>/", views.manage_group_edit, name="manage_group_edit"),
    path("manage/bodies/", views.manage_bodies, name="manage_bodies"),
    path("manage/bodies/<int:body_id>/", views.manage_body, name="manage_body"),
    path("manage/bodies/<int:body_id>/edit/", views.manage_body_edit, name="manage_body_edit"),
    path("manage/bodies/<int:body_id>/seats/", views.manage_seat_assign, name="manage_seat_assign"),
    path("manage/bodies/<int:body_id>/seats/<int:seat_id>/end/", views.manage_seat_end, name="manage_seat_end"),
    path("manage/bodies/<int:body_id>/elections/", views.manage_election, name="manage_election"),
]
