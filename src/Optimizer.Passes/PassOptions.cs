namespace Optimizer.Passes;

/// <summary>Reads a pass's string options, refusing names it does not know.</summary>
internal sealed class PassOptions
{
    private readonly string _pass;
    private readonly Dictionary<string, string> _values;

    public PassOptions(string pass, IReadOnlyDictionary<string, string> options, params string[] known)
    {
        _pass = pass;
        _values = new Dictionary<string, string>(options, StringComparer.OrdinalIgnoreCase);
        var unknown = _values.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (unknown.Length > 0)
        {
            throw new PassException(PassErrorCodes.InvalidOption,
                $"The {pass} pass has no option '{unknown[0]}'. Its options are: {string.Join(", ", known)}.", _pass);
        }
    }

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public bool GetBool(string name, bool defaultValue)
    {
        if (Get(name) is not { } text)
        {
            return defaultValue;
        }

        return bool.TryParse(text, out var value) ? value
            : throw new PassException(PassErrorCodes.InvalidOption, $"The {_pass} option {name} must be true or false, not '{text}'.", _pass);
    }
}
