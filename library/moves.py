"""Moving a model from one app to another in a migration: its content type row keeps
its id and takes the new app label, so what points to it (comments on a state page,
staff permissions, admin history) still points to the right objects."""


def move_content_types(apps, *, models, old_app, new_app):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = ContentType.objects.filter(app_label=old_app, model=model)
        if old.exists():
            # A row made for the new label before this ran would hold nothing yet.
            ContentType.objects.filter(app_label=new_app, model=model).delete()
            old.update(app_label=new_app)
    ContentType.objects.clear_cache()


def mover(*, models, old_app, new_app):
    """The forward and backward functions of a RunPython moving these content types."""

    def forward(apps, schema_editor):
        move_content_types(apps, models=models, old_app=old_app, new_app=new_app)

    def backward(apps, schema_editor):
        move_content_types(apps, models=models, old_app=new_app, new_app=old_app)

    return forward, backward
