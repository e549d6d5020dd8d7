"""Rule families, one module each: file and text, fields, PicName, between lines, images."""
