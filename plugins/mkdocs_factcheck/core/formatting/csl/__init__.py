"""CSL styles, formatted by pandoc's citeproc (the reference CSL processor): which style a name means,
one pandoc run per document (a page, or the site's bibliography), the results as data, and their HTML."""
