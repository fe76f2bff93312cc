// Label overlay: filled regions and outlines from one texture of label colours
// (alpha 0 = background, each label its own colour). It replaces VTK's texture-
// colouring tag (TCoord Impl) in the fragment shader of a slice view's overlay quad
// (app/render/SliceView.cpp). Custom uniforms, set per layer:
//   cfFillOpacity    alpha of the region interiors (0 = outlines only)
//   cfOutlineOpacity alpha of the outlines (0 = filled regions only)
//   cfOutlineWidth   outline width in screen pixels, at any zoom
{
  vec2 cfTc = tcoordVCVSOutput;
  vec4 cfCentre = texture(actortexture, cfTc);
  if (cfCentre.a < 0.5) discard;
  // The size of one screen pixel in texture coordinates.
  vec2 cfStep = max(fwidth(cfTc), vec2(1e-7)) * cfOutlineWidth;
  vec4 cfRight = texture(actortexture, cfTc + vec2(cfStep.x, 0.0));
  vec4 cfLeft = texture(actortexture, cfTc - vec2(cfStep.x, 0.0));
  vec4 cfUp = texture(actortexture, cfTc + vec2(0.0, cfStep.y));
  vec4 cfDown = texture(actortexture, cfTc - vec2(0.0, cfStep.y));
  // A neighbour of another colour (another label, or background) makes this an edge.
  float cfTol = 1.0 / 512.0;
  bool cfEdge = any(greaterThan(abs(cfRight - cfCentre), vec4(cfTol))) ||
                any(greaterThan(abs(cfLeft - cfCentre), vec4(cfTol))) ||
                any(greaterThan(abs(cfUp - cfCentre), vec4(cfTol))) ||
                any(greaterThan(abs(cfDown - cfCentre), vec4(cfTol)));
  float cfAlpha = cfEdge ? cfOutlineOpacity : cfFillOpacity;
  if (cfAlpha <= 0.0) discard;
  fragOutput0 = vec4(cfCentre.rgb, cfAlpha * fragOutput0.a);
}
