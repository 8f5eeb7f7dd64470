using Baton.Yaml.Model;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Providers;

/// <summary>
/// A kind of chat model a workflow file can name with <c>provider:</c> (<c>openai</c>, <c>scripted</c>, or one of
/// your own): the keys it accepts, how it reads and checks them (every problem at its position), and how it makes
/// the model's <see cref="IChatClient"/>. Register one in <see cref="ModelProviders"/>.
/// </summary>
public interface IModelProvider
{
    /// <summary>The value of <c>provider:</c> that selects it.</summary>
    string Name { get; }

    /// <summary>How error messages name it among the choices, e.g. <c>openai (any OpenAI-compatible endpoint)</c>.</summary>
    string Description { get; }

    /// <summary>The keys it accepts besides <c>provider</c> and <c>resource</c> (which every model has); any other is reported.</summary>
    IReadOnlyCollection<string> Keys { get; }

    /// <summary>
    /// Reads a model's settings, reporting every problem through <paramref name="settings"/> at its position.
    /// </summary>
    /// <returns>The settings <see cref="CreateClient"/> gets back (in <see cref="ModelDefinition.Settings"/>), or null when they are invalid.</returns>
    object? Read(ModelSettingsReader settings);

    /// <summary>Makes the chat client of a model it read (called once per model and built workflow).</summary>
    IChatClient CreateClient(ModelDefinition model);
}
