from django.urls import path

from reports import views

urlpatterns = [
    path("", views.home, name="home"),  # un-namespaced: LOGIN_REDIRECT_URL and the templates name it "home"
]
