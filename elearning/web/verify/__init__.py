"""Public check of a certificate's verification code."""
