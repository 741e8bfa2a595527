-- Editing one of the caller's uploads (POST /v1/me/uploads): crop, resize, convert; priced per picture.
insert into models (model_id, display_name, category, lab, description, tags, renderer, price_unit, unit_price_micros, input_schema,
                    popularity) values
('local/image-edit', 'Image edit', 'image-to-image', 'tollgate',
 'Crops, resizes and converts one of your uploaded PNG or JPEG pictures.', '{image,edit,local}',
 'image-edit', 'images', 1000000,
 '{"type": "object", "additionalProperties": false, "required": ["image_url"], "properties": {
   "image_url": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "An upload of yours: its link, or asset:<asset_id>"},
   "crop": {"type": "object", "additionalProperties": false, "required": ["x", "y", "width", "height"], "properties": {
     "x": {"type": "integer", "minimum": 0}, "y": {"type": "integer", "minimum": 0},
     "width": {"type": "integer", "minimum": 1, "maximum": 8192}, "height": {"type": "integer", "minimum": 1, "maximum": 8192}}},
   "width": {"type": "integer", "minimum": 16, "maximum": 4096},
   "height": {"type": "integer", "minimum": 16, "maximum": 4096},
   "fit": {"type": "string", "enum": ["contain", "cover", "fill"], "default": "contain"},
   "output_format": {"type": "string", "enum": ["png", "jpeg"], "default": "png"}}}', 20);
