"""The plugins ship as one installable distribution (pyproject.toml)."""

import zipfile


def test_the_wheel_holds_both_plugins_with_their_templates_static_files_and_migrations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for expected in [
        "cms_extranet/access.py",
        "cms_extranet/migrations/0001_initial.py",
        "cms_extranet/templates/cms_extranet/login.html",
        "cms_extranet/templates/wagtailadmin/shared/side_panels/includes/status/privacy.html",
        "cms_extranet/follow/static/extranet_follow/follow.js",
        "cms_extranet/feedback/migrations/0001_initial.py",
        "cms_extranet/access_management/templates/extranet_access/index.html",
        "search/views.py",
    ]:
        assert expected in names, expected
    assert not [name for name in names if name.startswith(("cms/", "tests/", "bench/", "es_node/", "manage.py"))]
    assert not [name for name in names if name.endswith((".java", "testing.py"))]
    metadata = next(name for name in names if name.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: wagtail<9.0,>=8.0" in text
    assert "Provides-Extra: elasticsearch" in text and "Provides-Extra: api" in text
