"""Vendor adapters: daily data pulled with the vendors' own Python libraries, mapped into
the store's one schema and imported through the folder importer's validation and atomic
commit (docs/data.md, "Vendors"). The libraries are the optional extra `vendors`."""
