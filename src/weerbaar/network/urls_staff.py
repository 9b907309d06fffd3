"""Back office of the network registry. Mounted at beheer/netwerk/."""

from django.urls import path

from weerbaar.network import views_staff_area_network as area_network
from weerbaar.network import views_staff_businesses as businesses
from weerbaar.network import views_staff_organisations as organisations
from weerbaar.network import views_staff_people as people
from weerbaar.network import views_staff_places as places

app_name = "staff"

urlpatterns = [
    # municipalities
    path("gemeenten/", places.MunicipalityListView.as_view(), name="municipality_list"),
    path("gemeenten/nieuw/", places.MunicipalityCreateView.as_view(), name="municipality_create"),
    path(
        "gemeenten/<int:pk>/", places.MunicipalityDetailView.as_view(), name="municipality_detail"
    ),
    path(
        "gemeenten/<int:pk>/wijzigen/",
        places.MunicipalityEditView.as_view(),
        name="municipality_edit",
    ),
    # areas, with their ambassadors and contacts
    path("gebieden/", places.AreaListView.as_view(), name="area_list"),
    path("gebieden/nieuw/", places.AreaCreateView.as_view(), name="area_create"),
    path("gebieden/<int:pk>/", places.AreaDetailView.as_view(), name="area_detail"),
    path("gebieden/<int:pk>/wijzigen/", places.AreaEditView.as_view(), name="area_edit"),
    path(
        "gebieden/<int:pk>/ambassadeurs/benoemen/",
        area_network.AmbassadorAppointView.as_view(),
        name="ambassador_appoint",
    ),
    path(
        "ambassadeurs/<int:pk>/beeindigen/",
        area_network.AmbassadorEndView.as_view(),
        name="ambassador_end",
    ),
    path(
        "gebieden/<int:pk>/contactpersonen/nieuw/",
        area_network.AreaContactCreateView.as_view(),
        name="area_contact_create",
    ),
    path(
        "contactpersonen/<int:pk>/wijzigen/",
        area_network.AreaContactEditView.as_view(),
        name="area_contact_edit",
    ),
    path(
        "contactpersonen/<int:pk>/verwijderen/",
        area_network.AreaContactDeleteView.as_view(),
        name="area_contact_delete",
    ),
    # businesses
    path("vestigingen/", businesses.BusinessListView.as_view(), name="business_list"),
    path("vestigingen/nieuw/", businesses.BusinessCreateView.as_view(), name="business_create"),
    path("vestigingen/<int:pk>/", businesses.BusinessDetailView.as_view(), name="business_detail"),
    path(
        "vestigingen/<int:pk>/wijzigen/",
        businesses.BusinessEditView.as_view(),
        name="business_edit",
    ),
    path(
        "vestigingen/<int:pk>/deactiveren/",
        businesses.BusinessDeactivateView.as_view(),
        name="business_deactivate",
    ),
    path(
        "vestigingen/<int:pk>/personen/koppelen/",
        businesses.BusinessLinkPersonView.as_view(),
        name="business_link_person",
    ),
    # people
    path("personen/", people.PersonListView.as_view(), name="person_list"),
    path("personen/<int:pk>/", people.PersonDetailView.as_view(), name="person_detail"),
    path(
        "personen/<int:pk>/koppelen/",
        people.PersonLinkBusinessView.as_view(),
        name="person_link_business",
    ),
    path("personen/<int:pk>/ontkoppelen/", people.PersonUnlinkView.as_view(), name="person_unlink"),
    # partner organisations
    path("organisaties/", organisations.OrganisationListView.as_view(), name="organisation_list"),
    path(
        "organisaties/nieuw/",
        organisations.OrganisationCreateView.as_view(),
        name="organisation_create",
    ),
    path(
        "organisaties/<int:pk>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path(
        "organisaties/<int:pk>/wijzigen/",
        organisations.OrganisationEditView.as_view(),
        name="organisation_edit",
    ),
]
