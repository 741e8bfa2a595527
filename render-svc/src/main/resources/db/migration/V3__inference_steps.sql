-- The procedural renderer refines its picture in passes, like a diffusion model's steps: the
-- caller chooses how many (more passes, softer strokes, longer to run; the price stays per image).
update models
   set input_schema = jsonb_set(input_schema, '{properties,num_inference_steps}',
                                '{"type": "integer", "minimum": 1, "maximum": 50, "default": 4}'),
       updated_at = now()
 where renderer = 'procedural-image';
