-- A short MP4 of generated frames (ffmpeg) and speech from text (espeak-ng), both priced per second
-- of output. The programs come from Debian; deploy/local/tools.sh installs them.
insert into models (model_id, display_name, category, lab, description, tags, renderer, price_unit, unit_price_micros,
                    min_price_micros, input_schema, popularity) values
('local/frames-video', 'Generated video', 'text-to-video', 'tollgate',
 'A short H.264 video of drifting orbs on a moving gradient, seeded by the prompt.', '{video,local}',
 'frames-video', 'seconds', 5000000, 0,
 '{"type": "object", "additionalProperties": false, "required": ["prompt"], "properties": {
   "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
   "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647},
   "duration_seconds": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3},
   "fps": {"type": "integer", "enum": [12, 24, 30], "default": 24},
   "width": {"type": "integer", "minimum": 64, "maximum": 1280, "default": 320},
   "height": {"type": "integer", "minimum": 64, "maximum": 720, "default": 240}}}', 30),
('local/speech', 'Speech', 'text-to-speech', 'tollgate',
 'Text read aloud by espeak-ng, as WAV or MP3.', '{audio,speech,local}',
 'speech', 'seconds', 1000000, 1000000,
 '{"type": "object", "additionalProperties": false, "required": ["text"], "properties": {
   "text": {"type": "string", "minLength": 1, "maxLength": 2000},
   "voice": {"type": "string", "enum": ["en", "en-us", "en-gb", "de", "fr", "es", "it", "pt", "ru", "nl", "sv", "pl"], "default": "en"},
   "speed": {"type": "integer", "minimum": 80, "maximum": 450, "default": 175},
   "output_format": {"type": "string", "enum": ["wav", "mp3"], "default": "wav"}}}', 25);
