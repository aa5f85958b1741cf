"""What a case means: fact derivation, scoring, the certificate timeline and the credit code."""
