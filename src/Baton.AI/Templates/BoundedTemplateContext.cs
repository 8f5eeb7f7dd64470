using Fluid;

namespace Baton.AI;

/// <summary>A render's context that carries the caller's cancellation token, which Fluid's own context does not.</summary>
internal sealed class BoundedTemplateContext(TemplateOptions options, CancellationToken cancellationToken) : TemplateContext(options)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;
}
