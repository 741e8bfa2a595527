-- The local renderers' catalogue: real files, made on this machine, priced like any other model.
insert into models (model_id, display_name, category, lab, description, tags, renderer, price_unit, unit_price_micros,
                    min_price_micros, discount_percent, input_schema, popularity) values
('local/procedural-image', 'Procedural image', 'text-to-image', 'tollgate',
 'Seeded procedural art from the prompt: the same prompt and seed give the same bytes.', '{image,fast,local}',
 'procedural-image', 'images', 2000000, 0, 0,
 '{"type": "object", "additionalProperties": false, "required": ["prompt"], "properties": {
   "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
   "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647},
   "width": {"type": "integer", "minimum": 64, "maximum": 2048, "default": 512},
   "height": {"type": "integer", "minimum": 64, "maximum": 2048, "default": 512},
   "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
   "output_format": {"type": "string", "enum": ["png", "jpeg"], "default": "png"}}}', 100),
('local/megapixel-image', 'Procedural image (per megapixel)', 'text-to-image', 'tollgate',
 'The procedural renderer priced per output megapixel.', '{image,local}',
 'procedural-image', 'megapixels', 1500000, 500000, 10,
 '{"type": "object", "additionalProperties": false, "required": ["prompt"], "properties": {
   "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
   "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647},
   "width": {"type": "integer", "minimum": 64, "maximum": 4096, "default": 1024},
   "height": {"type": "integer", "minimum": 64, "maximum": 4096, "default": 1024},
   "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
   "output_format": {"type": "string", "enum": ["png", "jpeg"], "default": "png"}}}', 60),
('local/text-cover', 'Text cover', 'text-to-image', 'tollgate',
 'A cover image with the given title set on a gradient.', '{image,typography,local}',
 'text-cover', 'flat', 1000000, 0, 0,
 '{"type": "object", "additionalProperties": false, "required": ["title"], "properties": {
   "title": {"type": "string", "minLength": 1, "maxLength": 120},
   "subtitle": {"type": "string", "maxLength": 200},
   "width": {"type": "integer", "minimum": 200, "maximum": 2048, "default": 1200},
   "height": {"type": "integer", "minimum": 200, "maximum": 2048, "default": 630},
   "output_format": {"type": "string", "enum": ["png", "jpeg"], "default": "png"}}}', 40);
