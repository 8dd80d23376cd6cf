"""Admin pages of the Storyteller app (the primary editing UI for its models)."""

from django.contrib import admin

from storyteller.books.admin import BookExportAdmin
from storyteller.models import BookExport

# Book exports: status, progress, download link and "build again" (storyteller.books.admin).
admin.site.register(BookExport, BookExportAdmin)
