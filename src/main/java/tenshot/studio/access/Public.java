package tenshot.studio.access;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An endpoint anyone may call, signed in or not (the public leaderboard, sign-in, health). Everything
 * not marked so needs a signed-in caller: access is denied unless an endpoint says otherwise.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Public {}
