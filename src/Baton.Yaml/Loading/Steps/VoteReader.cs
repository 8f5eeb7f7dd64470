using Baton.Yaml.Model.Steps;
using YamlDotNet.RepresentationModel;

namespace Baton.Yaml.Loading.Steps;

/// <summary>`vote: { voters, strategy, judge, onTie }`.</summary>
internal sealed class VoteReader : IStepKindReader
{
    public string Keyword => "vote";

    public IReadOnlyCollection<string> SiblingKeys => [];

    public StepDefinition? Read(StepReader steps, YamlNode value, IReadOnlyDictionary<string, (YamlScalarNode Key, YamlNode Value)> keys)
    {
        var (settings, voters) = VoteSettingsReader.Read(steps, value, requireVoters: true);
        return settings is null ? null : new VoteDefinition(voters, settings, StepReader.Line(value), StepReader.Column(value));
    }
}
