using Baton.Yaml.Providers;

namespace Baton.Yaml;

/// <summary>How a workflow file is read and built: the providers its models may name, whether unset secrets stop it, and models swapped for others.</summary>
public sealed record WorkflowFileOptions
{
    /// <summary>The model providers <c>provider:</c> may name (files it includes are read with the same).</summary>
    public ModelProviders Providers { get; init; } = ModelProviders.Default;

    /// <summary>
    /// True when an unset <c>${env.NAME}</c> is a warning (<see cref="WorkflowFileReadResult.Warnings"/>) rather than an
    /// error: for checking or drawing a file, which never calls a model. A file about to run leaves it false.
    /// </summary>
    public bool SecretsOptional { get; init; }

    /// <summary>Models of the main file to replace before it is built (<c>baton run --model NAME=PROVIDER:MODEL</c>).</summary>
    public IReadOnlyList<ModelSwap> ModelSwaps { get; init; } = [];
}
