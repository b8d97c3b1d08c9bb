"""Single sign-on addresses under /konto/sso/; each answers 404 while its protocol is off."""

from django.urls import path

from deviations.sso.oidc import OIDCCallback, OIDCLogin
from deviations.sso.saml import SAMLAssertionConsumer, SAMLLogin, SAMLLogout, SAMLMetadata

app_name = "sso"

urlpatterns = [
    path("oidc/logga-in/", OIDCLogin.as_view(), name="oidc_login"),
    path("oidc/tillbaka/", OIDCCallback.as_view(), name="oidc_callback"),
    path("saml/logga-in/", SAMLLogin.as_view(), name="saml_login"),
    path("saml/acs/", SAMLAssertionConsumer.as_view(), name="saml_acs"),
    path("saml/metadata/", SAMLMetadata.as_view(), name="saml_metadata"),
    path("saml/utloggning/", SAMLLogout.as_view(), name="saml_logout"),
]
