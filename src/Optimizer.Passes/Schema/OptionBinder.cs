using System.Collections.Concurrent;
using System.Reflection;

namespace Optimizer.Passes.Schema;

/// <summary>
/// Turns a request's string options (from a plan or the command line) into the pass's typed options
/// record, its attribute: every name must be an option of the pass, every value must parse and be
/// allowed, every option must apply to the request's mode; unset options keep the attribute's
/// defaults. Refusals are <see cref="PassException"/>s with the option's code
/// (<see cref="OptionRefusals"/>).
/// </summary>
public static class OptionBinder
{
    private static readonly ConcurrentDictionary<Type, PassDescriptor> Schemas = new();

    /// <summary>Binds options to <typeparamref name="T"/>, a pass attribute (Optimizer.Runtime's or a linked copy).</summary>
    /// <exception cref="PassException">An unknown option, a bad value, or an option the mode does not take.</exception>
    public static T Bind<T>(IReadOnlyDictionary<string, string> options)
        where T : Attribute =>
        (T)Bind(Schemas.GetOrAdd(typeof(T), SchemaReader.Read), options);

    /// <inheritdoc cref="Bind{T}"/>
    internal static object Bind(PassDescriptor pass, IReadOnlyDictionary<string, string> options)
    {
        var values = Validate(pass, options);
        var type = pass.AttributeType!;
        var constructor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var instance = constructor.Invoke(constructor.GetParameters()
            .Select(p => values.TryGetValue(pass.Find(p.Name!)!, out var v) ? v : DefaultOf(p.ParameterType)).ToArray());
        foreach (var (option, value) in values.Where(v => !v.Key.IsPositional))
            type.GetProperty(option.Name, BindingFlags.Public | BindingFlags.Instance)!.SetValue(instance, value);
        return instance;
    }

    /// <summary>The typed values of the options a request sets (checks included), validated against the schema.</summary>
    internal static Dictionary<OptionDescriptor, object> Validate(PassDescriptor pass, IReadOnlyDictionary<string, string> options)
    {
        var unknown = options.Keys.FirstOrDefault(k => pass.Find(k) is null);
        if (unknown is not null)
        {
            throw new PassException(PassErrorCodes.InvalidOption,
                $"The {pass.Name} pass has no option '{unknown}'. " + (pass.Options.Count == 0 ? "It takes no options." : $"Its options are: {string.Join(", ", pass.Options.Select(o => o.Name))}."), pass.Name);
        }

        var values = options.Select(o => (Option: pass.Find(o.Key)!, Text: o.Value)).ToDictionary(o => o.Option, o => Parse(pass, o.Option, o.Text));
        if (pass.ModeRefusal(options) is { } refusal)
            throw new PassException(PassErrorCodes.InvalidOption, $"The {pass.Name} option {refusal}", pass.Name);

        return values;
    }

    private static object Parse(PassDescriptor pass, OptionDescriptor option, string text)
    {
        object? value = option.Kind switch
        {
            OptionKind.Number => OptionText.ParseNumber(text) is { } n && OptionText.Allows(option, n)
                ? (option.IsInteger ? (object)(int)n : n) : null,
            OptionKind.Enum => OptionText.ParseMember(option, text, ignoreCase: true) is { } member ? Enum.Parse(option.PropertyType, member) : null,
            OptionKind.Boolean => OptionText.ParseBoolean(text),
            OptionKind.Path => text.Length > 0 ? text : null,
            _ => text,
        };
        return value ?? throw new PassException(OptionRefusals.CodeFor(pass, option),
            $"{pass.Name} {option.Name} must be {OptionRefusals.Describe(option)}; got '{text}'.", pass.Name);
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;
}
