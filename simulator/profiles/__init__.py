"""The partner's own profiles (R1-R5, api-integration.md 1.13): organization, billing, legal business, MPN
and support. Nothing is stored: `rules` derives every profile from the partner's tenant id and the
partner country setting (the same partner always reads the same profiles), `render` makes the wire
shapes and `endpoints` serves them."""
