"""The shop's products and variants, fed by the shop, read by the exchange picker."""
