"""Problems: imported packages, their versions and the content-addressed blob store."""
