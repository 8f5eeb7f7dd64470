using Baton.AI;
using Baton.Yaml;
using Baton.Yaml.Model;
using Baton.Yaml.Providers;
using Baton.Yaml.Tests.Building;
using Microsoft.Extensions.AI;

namespace Baton.Yaml.Tests.Providers;

/// <summary>A provider of one's own is one class, registered in <see cref="ModelProviders"/>, and then usable from files.</summary>
public sealed class ModelProviderTests
{
    /// <summary>A provider that always answers its <c>greeting</c>, <c>times</c> over.</summary>
    private sealed class CannedProvider : IModelProvider
    {
        public string Name => "canned";

        public string Description => "canned (a fixed greeting)";

        public IReadOnlyCollection<string> Keys { get; } = ["greeting", "times"];

        public object? Read(ModelSettingsReader settings)
        {
            if (settings["greeting"] is not { } greeting)
            {
                settings.Error(settings.Node, $"model '{settings.Model}' needs 'greeting'");
                return null;
            }

            var times = settings["times"] is { } t ? settings.Integer(t, "'times'", 1) : 1;
            return settings.Text(greeting, "'greeting'") is { } text && times is { } n ? string.Concat(Enumerable.Repeat(text, n)) : null;
        }

        public IChatClient CreateClient(ModelDefinition model) => new ScriptedChatClient(model.SettingsAs<string>()!);
    }

    private static readonly ModelProviders Providers = ModelProviders.Default.With(new CannedProvider());

    [Fact]
    public async Task A_registered_provider_is_usable_from_a_file()
    {
        var built = FileRuns.Build("version: 1\nmodels:\n  m: { provider: canned, greeting: \"hi \", times: 2, resource: api }\nresources:\n  api: { maxConcurrency: 1 }\nagents:\n  a: { model: m }\nworkflow: a\n", providers: Providers);

        var result = await FileRuns.RunAsync(built);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("hi hi ", result.Output!.AsText());
        Assert.Equal("api", built.Document.Models["m"].Resource);
    }

    [Fact]
    public void Its_keys_are_checked_and_its_errors_have_positions()
    {
        var errors = FileRuns.Errors("version: 1\nmodels:\n  m: { provider: canned, greetin: hi, times: none }\nagents:\n  a: { model: m }\nworkflow: a\n", Providers);

        Assert.Equal(
            ["flow.yaml:3:6: model 'm' needs 'greeting'", "flow.yaml:3:26: unknown key 'greetin' in model 'm'; did you mean 'greeting'?"],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_provider_that_is_not_registered_is_unknown_and_the_message_lists_the_registered_ones()
    {
        var yaml = "version: 1\nmodels:\n  m: { provider: caned, greeting: hi }\nagents:\n  a: { model: m }\nworkflow: a\n";

        // The model is not defined, so the agent naming it is reported too (as before providers were a registry).
        var withDefaults = FileRuns.Errors(yaml)[0];
        var withCanned = FileRuns.Errors(yaml, Providers)[0];

        Assert.Equal("unknown provider 'caned': use openai (any OpenAI-compatible endpoint) or scripted", withDefaults.Message);
        Assert.Equal("unknown provider 'caned'; did you mean 'canned'?: use openai (any OpenAI-compatible endpoint), scripted or canned (a fixed greeting)", withCanned.Message);
        Assert.Equal((3, 18), (withCanned.Line, withCanned.Column));
    }

    [Fact]
    public void The_built_in_providers_are_registered_by_default_and_can_be_replaced()
    {
        Assert.Equal(["openai", "scripted"], ModelProviders.Default.All.Select(p => p.Name));
        var replaced = ModelProviders.Default.With(new CannedProviderNamed("openai"));

        // Replaced in its place; the default registry is unchanged.
        Assert.Equal(["openai", "scripted"], replaced.All.Select(p => p.Name));
        Assert.True(replaced.TryGet("openai", out var openai));
        Assert.IsType<CannedProviderNamed>(openai);
        Assert.IsType<OpenAiModelProvider>(ModelProviders.Default.All[0]);
        Assert.False(replaced.TryGet("canned", out _));
    }

    [Fact]
    public void A_model_without_a_provider_lists_the_registered_names()
    {
        var error = Assert.Single(FileRuns.Errors("version: 1\nmodels:\n  m: { greeting: hi }\nworkflow: { set: { x: \"1\" } }\n", Providers));

        Assert.Equal("model 'm' needs a 'provider': openai, scripted or canned", error.Message);
    }

    private sealed class CannedProviderNamed(string name) : IModelProvider
    {
        public string Name => name;

        public string Description => name;

        public IReadOnlyCollection<string> Keys => [];

        public object? Read(ModelSettingsReader settings) => "x";

        public IChatClient CreateClient(ModelDefinition model) => new ScriptedChatClient("x");
    }
}
