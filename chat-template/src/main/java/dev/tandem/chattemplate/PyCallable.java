package dev.tandem.chattemplate;

/** Something a template can call: a global function, a macro, a bound string or dict method. */
@FunctionalInterface
interface PyCallable {

    Object call(CallArgs args);
}
