"""ServiceStack conventions shared by the Jiwa and Galaxy dialects."""
