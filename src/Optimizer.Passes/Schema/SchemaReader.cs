using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Optimizer.Runtime;

namespace Optimizer.Passes.Schema;

/// <summary>
/// Reads a pass's schema from its attribute class: [OptimizationPass] on the class, [PassOption]
/// (and [AppliesTo]) on the properties, the kind from each property's type, the default from a
/// fresh instance. The annotations are matched by name, so this reads Optimizer.Runtime's public
/// attributes and the copies linked into the task and the passes alike.
/// </summary>
internal static class SchemaReader
{
    private const string Namespace = "Optimizer.Runtime.";

    public static PassDescriptor Read(Type attributeType)
    {
        var pass = Annotation(attributeType, "OptimizationPassAttribute")
            ?? throw new InvalidOperationException($"{attributeType.Name} has no [OptimizationPass].");
        var name = attributeType.Name.Substring(0, attributeType.Name.Length - "Attribute".Length);
        var constructor = attributeType.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var positional = constructor.GetParameters().Select(p => p.Name!).ToArray();
        var instance = constructor.Invoke(constructor.GetParameters().Select(p => DefaultOf(p.ParameterType)).ToArray());
        var prefix = (string?)Named(pass, "ItemPrefix") ?? "";

        var options = attributeType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Annotation: Annotation(p, "PassOptionAttribute")))
            .Where(p => p.Annotation is not null)
            .OrderBy(p => positional.Contains(p.Property.Name, StringComparer.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(p => p.Property.MetadataToken)
            .Select(p => Option(p.Property, p.Annotation!, instance, prefix, positional))
            .ToList();

        var descriptor = new PassDescriptor(name, (int)pass.ConstructorArguments[0].Value!, (string)pass.ConstructorArguments[1].Value!, options)
        {
            Package = (string?)Named(pass, "Package"),
            AttributeType = attributeType,
        };
        if (Named(pass, "ItemKey") is string keys)
        {
            descriptor.ItemKeys = keys.Split('|').Select(key => descriptor.Find(key) ?? throw new InvalidOperationException($"{name}: ItemKey {key} is not an option.")).ToList();
            descriptor.ItemKey = descriptor.ItemKeys[0];
        }
        return descriptor;
    }

    private static OptionDescriptor Option(PropertyInfo property, CustomAttributeData annotation, object instance, string prefix, string[] positional)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var isDataFile = Named(annotation, "DataFile") is true;
        var kind = type.IsEnum ? OptionKind.Enum
            : type == typeof(bool) ? OptionKind.Boolean
            : type == typeof(double) || type == typeof(int) ? OptionKind.Number
            : isDataFile ? OptionKind.Path
            : OptionKind.Text;
        var option = new OptionDescriptor(property.Name, kind, type, (string)annotation.ConstructorArguments[0].Value!)
        {
            IsInteger = type == typeof(int),
            PowerOfTwo = Named(annotation, "PowerOfTwo") is true,
            Members = type.IsEnum ? Enum.GetNames(type) : Array.Empty<string>(),
            IsCheck = Named(annotation, "IsCheck") is true,
            IsPositional = positional.Contains(property.Name, StringComparer.OrdinalIgnoreCase),
            Range = new NumberRange(
                Named(annotation, "Min") as double? ?? double.NegativeInfinity, Named(annotation, "MinExclusive") is not true,
                Named(annotation, "Max") as double? ?? double.PositiveInfinity, Named(annotation, "MaxExclusive") is not true),
        };
        var metadata = Named(annotation, "ItemMetadata") as string;
        option.ItemMetadata = metadata is null ? prefix + property.Name : metadata.Length == 0 ? null : metadata;
        var value = property.GetValue(instance);
        option.DefaultText = value is null ? null : OptionText.Format(option, value);

        if (Annotation(property, "AppliesToAttribute") is { } appliesTo)
        {
            var values = ((IEnumerable<CustomAttributeTypedArgument>)appliesTo.ConstructorArguments[0].Value!).ToArray();
            var enumType = values[0].ArgumentType;
            option.AppliesTo = values.Select(v => Enum.GetName(enumType, v.Value!)!).ToArray();
            option.AppliesToOption = property.DeclaringType!.GetProperties().First(p => p.PropertyType == enumType && p != property).Name;
        }

        return option;
    }

    private static CustomAttributeData? Annotation(MemberInfo member, string name) =>
        member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Namespace + name);

    private static object? Named(CustomAttributeData annotation, string name) =>
        annotation.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;
}
