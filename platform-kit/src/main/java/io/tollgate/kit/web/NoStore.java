package io.tollgate.kit.web;

import jakarta.ws.rs.NameBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An answer that carries a credential (a token, a key shown once, recovery codes): no cache may
 * keep it ({@code Cache-Control: no-store}, RFC 6749 section 5.1), whatever the status.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface NoStore {
}
